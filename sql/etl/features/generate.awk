# generate.awk - deterministic raw files of the feature analytics (seed 000):
# a snapshot of everything that happened from day `origin` up to and
# including day `last`, as five JSON Lines files (the original's five
# parquet files): users.jsonl, features.jsonl, releases.jsonl,
# feature_usage.jsonl, upgrades.jsonl.
#
#   awk -v origin=DAYS_SINCE_1970 -v last=DAYS_SINCE_1970 -v users=N -v seed=S \
#       -v out=DIR -f generate.awk
#
# A user's history does not depend on `last` (a later snapshot only adds
# to an earlier one), and the same arguments give the same bytes on any awk
# (own PRNG, no rand/strftime).
#
# Users sign up over 120 days, each to one of three products. Each product
# releases a feature every 10 days (4 features) and a new version every 28
# days from day 14. A user who takes to a feature uses it on some of the 40
# days after their first use; a user who was there before a release upgrades
# to it with some lag (or never).

# PRNG: Park-Miller steps, seeded through a non-linear mix (squaring mod
# 2^31-1 with exact double arithmetic), so nearby seeds give unrelated streams
function mulmod(a, b,   b1) { b1 = int(b / 65536); return ((a * b1) % 2147483647 * 65536 + a * (b - b1 * 65536)) % 2147483647 }
function mix(x) { x = (x % 2147483646) + 40503; x = mulmod(x, x); return (x * 16807 + 12345) % 2147483647 }
function seed_(a, b, c) { _x = mix(mix(mix(a + 777) + b) + c) % 2147483646 + 1; rnd(); rnd() }
function rnd() { _x = (_x * 16807) % 2147483647; return _x / 2147483647 }
function pick(n) { return int(rnd() * n) }
function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	if (m <= 2) y++
	return sprintf("%04d-%02d-%02d", y, m, d)
}
# day index (from origin) and second of the day -> RFC 3339 UTC
function ts(d, s) { return sprintf("%sT%02d:%02d:%02dZ", civil(origin + d), int(s / 3600), int(s % 3600 / 60), s % 60) }
BEGIN {
	if (origin == "" || last == "" || users == "" || out == "") {
		print "usage: awk -v origin=N -v last=N -v users=N -v out=DIR [-v seed=S] -f generate.awk" > "/dev/stderr"; exit 2
	}
	origin += 0; last += 0; users += 0; seed += 0
	D = last - origin                       # the snapshot holds days 0..D
	nproducts = split("editor viewer sync", products, " ")
	split("comments templates export_pdf dark_mode", f1, " ")
	split("annotations search offline_mode share_link", f2, " ")
	split("selective_sync lan_sync versioning conflict_resolver", f3, " ")
	for (k = 1; k <= 4; k++) { feature[1, k] = f1[k]; feature[2, k] = f2[k]; feature[3, k] = f3[k] }
	nfeatures = 4; nreleases = 5
	uf = out "/users.jsonl"; ff = out "/features.jsonl"; rf = out "/releases.jsonl"
	xf = out "/feature_usage.jsonl"; gf = out "/upgrades.jsonl"
	printf "" > uf; printf "" > ff; printf "" > rf; printf "" > xf; printf "" > gf
	for (p = 1; p <= nproducts; p++) {
		for (k = 1; k <= nfeatures; k++)
			if ((k - 1) * 10 <= D)
				printf "{\"product\": \"%s\", \"feature\": \"%s\", \"feature_no\": %d, \"released_at\": \"%s\"}\n", \
					products[p], feature[p, k], k, ts((k - 1) * 10, 8 * 3600) > ff
		for (k = 1; k <= nreleases; k++)
			if (14 + 28 * (k - 1) <= D)
				printf "{\"product\": \"%s\", \"release\": \"1.%d\", \"released_at\": \"%s\"}\n", \
					products[p], k, ts(14 + 28 * (k - 1), 8 * 3600) > rf
	}
	for (u = 1; u <= users; u++) {
		seed_(u, 0, seed)
		p = 1 + pick(nproducts); s = pick(120); ss = pick(86400)
		if (s > D) continue
		printf "{\"user_id\": %d, \"product\": \"%s\", \"signed_up_at\": \"%s\", \"country\": \"%s\"}\n", \
			u, products[p], ts(s, ss), substr("DEFRUSGBPLES", 1 + 2 * pick(6), 2) > uf
		for (k = 1; k <= nfeatures; k++) {
			seed_(u, k, seed)
			q = pick(100)
			if (q < 35) continue                # never takes to this feature
			first = (s > (k - 1) * 10 ? s : (k - 1) * 10) + pick(pick(2) ? 14 : 30)
			for (t = first; t < first + 40; t++) {
				x = pick(100); sec = pick(86400)
				if (t > first && x >= (q - 35) * 0.8) continue
				if (t <= D)
					printf "{\"user_id\": %d, \"product\": \"%s\", \"feature\": \"%s\", \"used_at\": \"%s\"}\n", \
						u, products[p], feature[p, k], ts(t, t == first && t == s ? (sec > ss ? sec : ss) : sec) > xf
			}
		}
		for (k = 1; k <= nreleases; k++) {
			seed_(u, 100 + k, seed)
			rd = 14 + 28 * (k - 1); q = pick(100); lag = pick(50); sec = 8 * 3600 + pick(16 * 3600)
			if (s >= rd || q >= 65 || rd + lag > D) continue
			printf "{\"user_id\": %d, \"product\": \"%s\", \"from_release\": \"1.%d\", \"to_release\": \"1.%d\", \"upgraded_at\": \"%s\"}\n", \
				u, products[p], k - 1, k, ts(rd + lag, sec) > gf
		}
	}
	close(uf); close(ff); close(rf); close(xf); close(gf)
}
