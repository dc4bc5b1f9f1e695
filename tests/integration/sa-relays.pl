#!/usr/bin/perl
# sa-relays.pl FILE [TRUSTED]: SpamAssassin's first untrusted relay of a
# message (its address), or "-" when it finds none. TRUSTED sets both
# trusted_networks and internal_networks, as smtpprobe's --trusted does.
# Offline: no rules, no network tests, no user preferences.
use strict;
use warnings;
use Mail::SpamAssassin;

my ($file, $trusted) = @ARGV;
my $cf = '';
$cf = "trusted_networks $trusted\ninternal_networks $trusted\n" if defined $trusted && $trusted ne '';
my $sa = Mail::SpamAssassin->new({
	local_tests_only => 1, dont_copy_prefs => 1, userprefs_filename => '/dev/null',
	site_rules_filename => '/nonexistent', rules_filename => '/nonexistent',
	home_dir_for_helpers => '/nonexistent', config_text => $cf,
});
open(my $fh, '<', $file) or die "$file: $!\n";
my $text = do { local $/; <$fh> };
close($fh);
my $msg = $sa->parse($text);
my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
$pms->extract_message_metadata();
my $u = $pms->{relays_untrusted};
print @$u ? $u->[0]{ip} : '-', "\n";
$pms->finish;
$msg->finish;
