# csv2tsv.awk: RFC 4180 CSV (as smtpprobe writes it: one row per line) to
# tab-separated fields, quotes removed, for tests that pick cells with awk -F'\t'.
# smtpprobe escapes tabs inside cells, so a tab is always a separator here.
{
	line = $0
	out = ""
	n = length(line)
	i = 1
	while (i <= n + 1) {
		cell = ""
		if (substr(line, i, 1) == "\"") {
			i++
			while (i <= n) {
				c = substr(line, i, 1)
				if (c == "\"") {
					if (substr(line, i + 1, 1) == "\"") {
						cell = cell "\""
						i += 2
						continue
					}
					i++
					break
				}
				cell = cell c
				i++
			}
		} else {
			while (i <= n && substr(line, i, 1) != ",") {
				cell = cell substr(line, i, 1)
				i++
			}
		}
		out = out cell
		i++ # skip the comma
		if (i <= n + 1)
			out = out "\t"
	}
	print out
}
