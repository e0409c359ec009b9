# generate.awk - a deterministic day of mobile app events (seed 004), as the
# app's ';'-separated CSV export. The export of a day overlaps the previous
# one: it repeats the previous day's events from 22:00 on, so a plain append
# would load those rows twice (the row hash in find_new.sql drops them).
#
#   awk -v day=DAYS_SINCE_1970 -v users=N -v seed=S -f generate.awk > file.csv
#
# Same (day, users, seed) -> same bytes, on any awk (own PRNG, no srand/rand,
# no strftime). Sessions: events 5 s to 10 min apart; a ride may last up to
# 25 min with no event in between (so a long ride splits into two sessions
# under the 15-minute rule, as in the original); sessions 20 min to 4 h apart.

# PRNG: Park-Miller steps, seeded through a non-linear mix (squaring mod
# 2^31-1 with exact double arithmetic), so nearby seeds give unrelated streams
function mulmod(a, b,   b1) { b1 = int(b / 65536); return ((a * b1) % 2147483647 * 65536 + a * (b - b1 * 65536)) % 2147483647 }
function mix(x) { x = (x % 2147483646) + 40503; x = mulmod(x, x); return (x * 16807 + 12345) % 2147483647 }
function seed_(a, b, c) { _x = mix(mix(mix(a + 12345) + b) + c) % 2147483646 + 1; rnd(); rnd() }
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
function stamp(t,   s) { s = t % 86400; return sprintf("%s %02d:%02d:%02d", civil(int(t / 86400)), int(s / 3600), int(s % 3600 / 60), s % 60) }
function hex(n, w) { return sprintf("%0" w "x", n) }
function user_ids(u) {
	seed_(u, 0, seed)
	anon = hex(pick(2147483647), 8) "-" hex(pick(65536), 4) "-4" hex(pick(4096), 3) "-a" hex(pick(4096), 3) "-" hex(pick(65536), 4) hex(pick(2147483647), 8)
	dev = hex(pick(2147483647), 8) "-" hex(pick(65536), 4) "-" hex(pick(65536), 4) "-" hex(pick(65536), 4) "-" hex(pick(65536), 4) hex(pick(65536), 4) hex(pick(65536), 4)
	os = pick(5) < 2 ? "iOS" : "Android"
	if (os == "iOS") dev = toupper(dev)
	zone = zones[pick(nzones)]
	version = versions[pick(nversions)]
}
function ev(t, name, id,   lag) {
	lag = 1 + pick(20)
	if (t < from) return
	print id ";" zone ";" version ";" dev ";" os ";" name ";" stamp(t + lag) ";" stamp(t)
}
# Every event of the sessions that start on day d, at or after second `from`.
function gen_day(d,   u, t, k, n, i, id, booked) {
	for (u = 1; u <= users; u++) {
		user_ids(u)
		seed_(u, d, seed)
		if (pick(100) < 45) continue
		t = d * 86400 + 6 * 3600 + pick(8 * 3600)
		for (k = 0; t < d * 86400 + 23 * 3600; k++) {
			id = (os == "iOS" && k % 2 == 1) ? toupper(anon) : anon
			ev(t, "Application Opened", id)
			n = 1 + pick(4)
			for (i = 0; i < n; i++) {
				t += 5 + pick(600)
				ev(t, i == 0 ? "Map Viewed" : (pick(2) ? "Vehicle Selected" : "Map Viewed"), id)
			}
			booked = pick(100) < 45
			t += 5 + pick(300)
			if (booked) {
				ev(t, "Ride Started - Successful", id)
				t += 180 + pick(pick(4) == 0 ? 1320 : 600)
				ev(t, "Ride Done - Successful", id)
				if (pick(3)) { t += 5 + pick(120); ev(t, "Rating Screen Opened", id) }
			} else if (pick(2)) {
				ev(t, "Payment Method Missing", id)
			}
			t += 1200 + pick(4 * 3600)
		}
	}
}
BEGIN {
	if (day == "" || users == "") { print "usage: awk -v day=N -v users=N [-v seed=S] -f generate.awk" > "/dev/stderr"; exit 2 }
	day += 0; users += 0; seed += 0
	nzones = split("BER-01 BER-02 MUC-01 HAM-01 VIE-01 PAR-03", zones, " ")
	nversions = split("3.1.0 3.2.4 3.3.0", versions, " ")
	for (i = 1; i <= nzones; i++) zones[i - 1] = zones[i]
	for (i = 1; i <= nversions; i++) versions[i - 1] = versions[i]
	print "anonymous_id;business_zoned;context_app_version;context_device_id;context_os_name;event_name;received_at;created_at"
	from = day * 86400 - 2 * 3600; gen_day(day - 1)
	from = 0; gen_day(day)
}
