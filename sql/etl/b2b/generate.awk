# generate.awk - deterministic sources of the B2B reports (seed 003), one of
#   what=b2b     the platform's tables as CSV for one day: company.csv,
#                customer.csv, product.csv, inventory.csv (snapshots) and
#                the day's orders.csv and sales.csv (order lines)
#   what=ip2geo  an IP-to-country table in the IP2Location LITE DB1 CSV
#                layout ("ip_from","ip_to","country_code","country_name")
#   what=weblog  the web shop's access log for [start, end) in Apache
#                combined log format; logged-in B2B customers show their
#                email as the user field
#
#   awk -v what=b2b -v day=DAYS_SINCE_1970 -v companies=N -v products=N \
#       -v orders=N [-v seed=S] -v out=DIR -f generate.awk
#   awk -v what=ip2geo -v out=DIR -f generate.awk
#   awk -v what=weblog -v start=UNIX -v end=UNIX -v requests=N -v companies=N \
#       -v products=N [-v seed=S] -f generate.awk > access_log
#
# The three agree with each other: a customer logs in from an address of
# their company's country (now and then from abroad), and companies and
# customers depend only on seed and their number. Same arguments, same
# bytes, on any awk (own PRNG, no rand/strftime).

# PRNG: Park-Miller steps, seeded through a non-linear mix (squaring mod
# 2^31-1 with exact double arithmetic), so nearby seeds give unrelated streams
function mulmod(a, b,   b1) { b1 = int(b / 65536); return ((a * b1) % 2147483647 * 65536 + a * (b - b1 * 65536)) % 2147483647 }
function mix(x) { x = (x % 2147483646) + 40503; x = mulmod(x, x); return (x * 16807 + 12345) % 2147483647 }
function seed_(a, b, c) { _x = mix(mix(mix(a + 3003) + b) + c) % 2147483646 + 1; rnd(); rnd() }
function rnd() { _x = (_x * 16807) % 2147483647; return _x / 2147483647 }
function pick(n) { return int(rnd() * n) }
function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
	z += 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	if (m <= 2) y++
	cy = y; cm = m; cd = d
	return sprintf("%04d-%02d-%02d", y, m, d)
}
function stamp(t,   s) { s = t % 86400; return civil(int(t / 86400)) sprintf(" %02d:%02d:%02d", int(s / 3600), int(s % 3600 / 60), s % 60) }
function clf(t,   s) { s = t % 86400; civil(int(t / 86400)); return sprintf("%02d/%s/%04d:%02d:%02d:%02d +0000", cd, mon[cm], cy, int(s / 3600), int(s % 3600 / 60), s % 60) }
function ipstr(n) { return sprintf("%d.%d.%d.%d", int(n / 16777216), int(n / 65536) % 256, int(n / 256) % 256, n % 256) }
function csvq(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
function csvn(n) { return "\"" sprintf("%.0f", n) "\"" }      # mawk prints numbers >= 2^31 as %.6g

# countries, weighted (companies are not spread evenly), and their
# address ranges: every /8 from 1 to 223 split in two halves
function setup_world(   i, a, h, c) {
	ncountries = split("DE FR US GB ES IT NL PL MX BR JP IN", ccode, " ")
	split("Germany|France|United States of America|United Kingdom of Great Britain and Northern Ireland|Spain|Italy|Netherlands|Poland|Mexico|Brazil|Japan|India", cname, "|")
	split("22 9 17 12 7 6 6 5 4 5 4 3", cweight, " ")
	for (i = 1; i <= ncountries; i++) { ccode[i - 1] = ccode[i]; cname[i - 1] = cname[i]; cweight[i - 1] = cweight[i]; wsum += cweight[i] }
	nranges = 0
	for (a = 1; a <= 223; a++)
		for (h = 0; h < 2; h++) {
			if (a == 10 || a == 127) continue
			c = (a * (h ? 11 : 7) + h * 3) % ncountries
			rfrom[nranges] = a * 16777216 + h * 8388608; rto[nranges] = rfrom[nranges] + 8388607
			rcountry[nranges] = c; nr[c]++; crange[c, nr[c] - 1] = nranges; nranges++
		}
}
function weighted_country(   x, i) { x = pick(wsum); for (i = 0; i < ncountries; i++) { if (x < cweight[i]) return i; x -= cweight[i] } return 0 }
function addr_in(c,   r) { r = crange[c, pick(nr[c])]; return rfrom[r] + 256 + pick(8388607 - 512) }
function setup_shop(   c, k, n, j, w) {
	split("Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay Gekko Oscorp Aperture", names, " ")
	split("Industries Logistics Systems Foods Retail Labs Consulting Media", kinds, " ")
	split("Laptop Monitor Keyboard Mouse Headset Webcam Dock Router Printer Scanner Tablet Phone Charger Cable Speaker", pnames, " ")
	split("Pro Air Max Lite Plus Mini Ultra Go", pvariants, " ")
	split("Computers Displays Accessories Accessories Audio Accessories Accessories Network Office Office Mobile Mobile Accessories Accessories Audio", pcats, " ")
	ncust = 0
	for (c = 1; c <= companies; c++) {
		seed_(c, 1, seed)
		company_name[c] = names[1 + pick(15)] " " kinds[1 + pick(8)] " " c
		company_country[c] = weighted_country()
		company_size[c] = 1 + pick(5)
		for (k = 1; k <= company_size[c]; k++) {
			ncust++
			cust_company[ncust] = c
			cust_email[ncust] = sprintf("buyer%d@%s.example", k, tolower(substr(company_name[c], 1, index(company_name[c], " ") - 1)) c)
			cust_ip[ncust] = addr_in(company_country[c])
			cust_device[ncust] = pick(100)
		}
	}
	for (j = 1; j <= products; j++) {
		seed_(j, 2, seed)
		n = 1 + pick(15)
		product_name[j] = pnames[n] " " pvariants[1 + pick(8)] " " j
		product_cat[j] = pcats[n]
		product_price[j] = (5 + pick(60)) * (n <= 3 || n == 11 || n == 12 ? 20 : 3) - 0.01
	}
}
# a product for an order line: each country has its own favourites
function product_for(country,   j) {
	if (pick(100) < 60) return 1 + (country * 7 + pick(4) * 3) % products
	return 1 + pick(products)
}
function ua(d) {
	if (d < 22) return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	if (d < 40) return "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"
	if (d < 62) return "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
	if (d < 78) return "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
	if (d < 88) return "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
	if (d < 95) return "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
	return "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
}

function gen_b2b(   dir, c, k, j, o, n, l, t, q, cust, prod) {
	dir = out
	print "company_id,name,country_code,industry" > (dir "/company.csv")
	for (c = 1; c <= companies; c++)
		print c "," csvq(company_name[c]) "," ccode[company_country[c]] "," substr(company_name[c], index(company_name[c], " ") + 1, index(substr(company_name[c], index(company_name[c], " ") + 1), " ") - 1) > (dir "/company.csv")
	print "customer_id,company_id,email,created_at" > (dir "/customer.csv")
	for (k = 1; k <= ncust; k++)
		print k "," cust_company[k] "," cust_email[k] "," stamp(20423 * 86400 + k * 3600) > (dir "/customer.csv")     # from 2025-12-01
	print "product_id,name,category,unit_price" > (dir "/product.csv")
	print "product_id,warehouse,quantity" > (dir "/inventory.csv")
	for (j = 1; j <= products; j++) {
		print j "," csvq(product_name[j]) "," product_cat[j] "," sprintf("%.2f", product_price[j]) > (dir "/product.csv")
		seed_(j, day, seed + 7)
		print j ",BER," (pick(400)) > (dir "/inventory.csv")
		print j ",MAD," (pick(150)) > (dir "/inventory.csv")
	}
	print "order_id,customer_id,order_ts,status" > (dir "/orders.csv")
	print "order_id,line_no,product_id,quantity,unit_price" > (dir "/sales.csv")
	for (o = 1; o <= orders; o++) {
		seed_(o, day, seed + 3)
		cust = 1 + pick(ncust)
		t = day * 86400 + 7 * 3600 + pick(14 * 3600)
		q = pick(100)
		print day * 10000 + o "," cust "," stamp(t) "," (q < 90 ? "completed" : q < 96 ? "shipped" : "cancelled") > (dir "/orders.csv")
		n = 1 + pick(4)
		for (l = 1; l <= n; l++) {
			prod = product_for(company_country[cust_company[cust]])
			print day * 10000 + o "," l "," prod "," (1 + pick(pick(5) ? 5 : 40)) "," sprintf("%.2f", product_price[prod]) > (dir "/sales.csv")
		}
	}
}
function gen_ip2geo(   f, r, prev) {
	f = out "/IP2LOCATION-LITE-DB1.CSV"
	prev = 0
	for (r = 0; r < nranges; r++) {
		if (rfrom[r] > prev) print csvn(prev) "," csvn(rfrom[r] - 1) "," csvq("-") "," csvq("-") > f
		print csvn(rfrom[r]) "," csvn(rto[r]) "," csvq(ccode[rcountry[r]]) "," csvq(cname[rcountry[r]]) > f
		prev = rto[r] + 1
	}
	print csvn(prev) "," csvn(4294967295) "," csvq("-") "," csvq("-") > f
}
function gen_weblog(   i, t, span, cust, ip, user, method, path, status, bytes, ref, agent, x) {
	span = (end - start) / requests
	for (i = 0; i < requests; i++) {
		seed_(i, start / 60, seed + 11)
		t = int(start + i * span + rnd() * span)
		x = pick(100)
		if (x < 65) {
			cust = 1 + pick(ncust)
			user = cust_email[cust]
			ip = pick(100) < 8 ? addr_in(pick(ncountries)) : cust_ip[cust]
			agent = ua(cust_device[cust])
			x = pick(100)
			if (x < 18) { method = "POST"; path = "/login"; status = pick(20) ? 302 : 401; if (status == 401) user = "-" }
			else if (x < 60) { method = "GET"; path = "/products/" (1 + pick(products)) }
			else if (x < 75) { method = "GET"; path = "/catalog?page=" (1 + pick(9)) }
			else if (x < 85) { method = "POST"; path = "/cart/items" }
			else if (x < 93) { method = "GET"; path = "/orders" }
			else { method = "POST"; path = "/orders" }
		} else {
			user = "-"
			ip = addr_in(pick(ncountries))
			if (x < 72) { agent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"; method = "GET"; path = "/products/" (1 + pick(products)) }
			else { agent = ua(pick(100)); method = "GET"; path = pick(3) ? "/" : "/pricing" }
		}
		if (status == "" || path != "/login") status = pick(50) ? 200 : 404
		bytes = status == 302 ? 0 : 200 + pick(30000)
		ref = pick(3) ? "https://shop.example.com/" : "-"
		if (pick(400) == 0)
			print ipstr(ip) " - " user " [" clf(t) "] \"GET /products/" pick(99)       # a line cut short
		else
			print ipstr(ip) " - " user " [" clf(t) "] \"" method " " path " HTTP/1.1\" " status " " (bytes ? bytes : "-") " \"" ref "\" \"" agent "\""
		status = ""
	}
}
BEGIN {
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
	seed += 0; companies += 0; products += 0
	setup_world()
	if (what == "ip2geo" && out != "") { gen_ip2geo(); exit 0 }
	if (companies < 1 || products < 1) { print "generate.awk: companies and products must be >= 1" > "/dev/stderr"; exit 2 }
	setup_shop()
	if (what == "b2b" && day != "" && orders != "" && out != "") { day += 0; gen_b2b(); exit 0 }
	if (what == "weblog" && start != "" && end != "" && requests > 0) { start += 0; end += 0; gen_weblog(); exit 0 }
	print "usage: see the head of generate.awk" > "/dev/stderr"; exit 2
}
