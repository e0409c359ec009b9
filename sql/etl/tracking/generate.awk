# generate.awk - a deterministic day of scooter-app tracking events and
# hourly weather (seed 001), both as JSON Lines like the original's
# track_events.json and weather.json (OpenWeather-style records).
#
#   awk -v day=DAYS_SINCE_1970 -v users=N -v seed=S -v out=DIR -f generate.awk
#
# writes DIR/track_events.json and DIR/weather.json. Same arguments, same
# bytes, on any awk (own PRNG, no rand/strftime). Rain and snow make rides
# rarer, so the result query has something to show.

# PRNG: Park-Miller steps, seeded through a non-linear mix (squaring mod
# 2^31-1 with exact double arithmetic), so nearby seeds give unrelated streams
function mulmod(a, b,   b1) { b1 = int(b / 65536); return ((a * b1) % 2147483647 * 65536 + a * (b - b1 * 65536)) % 2147483647 }
function mix(x) { x = (x % 2147483646) + 40503; x = mulmod(x, x); return (x * 16807 + 12345) % 2147483647 }
function seed_(a, b, c) { _x = mix(mix(mix(a + 4242) + b) + c) % 2147483646 + 1; rnd(); rnd() }
function rnd() { _x = (_x * 16807) % 2147483647; return _x / 2147483647 }
function pick(n) { return int(rnd() * n) }
function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	if (m <= 2) y++
	month = m
	return sprintf("%04d-%02d-%02d", y, m, d)
}
function iso(t,   s) { s = t % 86400; return sprintf("%sT%02d:%02d:%02d.%03dZ", civil(int(t / 86400)), int(s / 3600), int(s % 3600 / 60), s % 60, pick(1000)) }
function weather(   c, h, temp, base, cond, desc, wet) {
	civil(day)
	for (c = 0; c < ncities; c++) {
		base = (month <= 2 || month == 12) ? 1 : (month <= 4 || month >= 10) ? 9 : 19
		base += c - 2
		for (h = 0; h < 24; h++) {
			seed_(c, day * 24 + int(h / 3), seed)          # rain comes in 3-hour spells
			wet = pick(100)
			seed_(c, day * 24 + h, seed + 1)
			temp = base + 4 * (h >= 6 && h <= 18 ? (h <= 14 ? (h - 6) / 8 : (18 - h) / 4) : 0) + (pick(40) - 20) / 10
			if (wet < 25) { cond = temp < 1 ? "Snow" : "Rain"; desc = temp < 1 ? "light snow" : (wet < 8 ? "moderate rain" : "light rain") }
			else if (wet < 35) { cond = "Drizzle"; desc = "light intensity drizzle" }
			else if (wet < 70) { cond = "Clouds"; desc = "scattered clouds" }
			else { cond = "Clear"; desc = "clear sky" }
			wcond[c, h] = cond
			printf "{\"name\": \"%s\", \"dt\": %d, \"main\": {\"temp\": %.1f, \"feels_like\": %.1f, \"humidity\": %d}, \"weather\": [{\"main\": \"%s\", \"description\": \"%s\"}], \"wind\": {\"speed\": %.1f}}\n", \
				cities[c], day * 86400 + h * 3600, temp, temp - 1 - pick(30) / 10, 50 + pick(45), cond, desc, pick(120) / 10 > wfile
		}
	}
}
function event(t, name, props) {
	printf "{\"anonymous_id\": \"%s\", \"event\": \"%s\", \"timestamp\": \"%s\", \"context\": {\"os\": \"%s\", \"app_version\": \"%s\", \"locale\": \"%s\"}, \"properties\": {%s}}\n", \
		anon, name, iso(t), os, version, locale, props > efile
}
function events(   u, k, n, t, h, c, p, ride, vehicle, dur, dist, props) {
	for (u = 1; u <= users; u++) {
		seed_(u, 0, seed)
		anon = sprintf("%08x%08x", pick(2147483647), pick(2147483647))
		c = pick(ncities); os = pick(2) ? "iOS" : "Android"
		version = versions[pick(nversions)]; locale = locales[c]
		seed_(u, day, seed + 2)
		if (pick(100) >= 35) continue
		n = 1 + pick(3)
		t = day * 86400 + 6 * 3600 + pick(4 * 3600)
		for (k = 0; k < n && t < day * 86400 + 23 * 3600; k++) {
			h = int((t % 86400) / 3600)
			props = sprintf("\"city\": \"%s\"", cities[c])
			event(t, "app_opened", props)
			p = wcond[c, h] == "Clear" ? 60 : wcond[c, h] == "Clouds" ? 50 : wcond[c, h] == "Drizzle" ? 40 : wcond[c, h] == "Rain" ? 25 : 15
			if (pick(100) < p) {
				vehicle = sprintf("TIER-%05d", 1 + pick(5000))
				ride = sprintf("r%d-%d-%d", day, u, k)
				t += 20 + pick(240)
				event(t, "vehicle_reserved", props ", \"vehicle_id\": \"" vehicle "\"")
				t += 30 + pick(300)
				event(t, "ride_started", props ", \"vehicle_id\": \"" vehicle "\", \"ride_id\": \"" ride "\", \"battery\": " (20 + pick(80)))
				dur = 120 + pick(1500); dist = int(dur * (2 + pick(40) / 10))
				t += dur
				event(t, "ride_finished", props ", \"vehicle_id\": \"" vehicle "\", \"ride_id\": \"" ride "\", \"duration_s\": " dur ", \"distance_m\": " dist ", \"price_eur\": " sprintf("%.2f", 1 + dur / 60 * 0.19))
			} else if (pick(2)) {
				t += 10 + pick(120)
				event(t, "vehicle_scanned", props)
			}
			t += 1800 + pick(5 * 3600)
		}
	}
}
BEGIN {
	if (day == "" || users == "" || out == "") { print "usage: awk -v day=N -v users=N -v out=DIR [-v seed=S] -f generate.awk" > "/dev/stderr"; exit 2 }
	day += 0; users += 0; seed += 0
	ncities = split("Berlin Hamburg Munich Paris Vienna", cities, " ")
	split("de-DE de-DE de-DE fr-FR de-AT", locales, " ")
	for (i = 1; i <= ncities; i++) { cities[i - 1] = cities[i]; locales[i - 1] = locales[i] }
	nversions = split("4.1.2 4.2.0 4.3.1", versions, " ")
	for (i = 1; i <= nversions; i++) versions[i - 1] = versions[i]
	wfile = out "/weather.json"; efile = out "/track_events.json"
	printf "" > wfile; printf "" > efile
	weather(); events()
	close(wfile); close(efile)
}
