// cron.js - a DAG's schedule in words, for people who do not read cron:
// "0 3 * * *" in Europe/Berlin is "daily at 03:00 Europe/Berlin". Knows the
// schedule forms of DESIGN.md section 3 (5-field cron, @presets, "every
// 15m", none); anything it cannot phrase well returns null and the page
// shows the expression alone. Pure: no DOM, no clock.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const DOW_NAMES = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
const MON_NAMES = { JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };
const UNITS = { ms: 'millisecond', s: 'second', m: 'minute', h: 'hour', d: 'day' };

const pad = (n) => String(n).padStart(2, '0');

function list(words) {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Expand a cron field to a sorted array of values, or null ("*"). */
function expand(field, lo, hi, names) {
  if (field === '*' || field === '?') return null;
  const val = (s) => {
    const u = s.toUpperCase();
    if (names && u in names) return names[u];
    if (!/^\d+$/.test(s)) throw new Error('bad');
    return Number(s);
  };
  const out = new Set();
  for (const part of field.split(',')) {
    let [range, step] = part.split('/');
    step = step === undefined ? 1 : Number(step);
    if (!(step >= 1)) throw new Error('bad');
    let a; let b;
    if (range === '*') { a = lo; b = hi; } else if (range.includes('-')) {
      [a, b] = range.split('-').map(val);
    } else {
      a = val(range);
      b = part.includes('/') ? hi : a;
    }
    if (a < lo || b > hi || a > b) throw new Error('bad');
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

/** "every 15 minutes" for "*\/15"-like steps over the whole range. */
function stepOf(field) {
  const m = /^(\*|0)\/(\d+)$/.exec(field);
  return m ? Number(m[2]) : null;
}

function dayPart(dom, mon, dow) {
  const parts = [];
  if (dow) {
    const d = dow.map((x) => (x === 7 ? 0 : x));
    const uniq = [...new Set(d)].sort();
    if (uniq.join() === '1,2,3,4,5') parts.push('on weekdays');
    else if (uniq.join() === '0,6') parts.push('on weekends');
    else parts.push(`on ${list(uniq.map((x) => DAYS[x]))}`);
  }
  if (dom) parts.push(`${dow ? 'or ' : ''}on day ${list(dom.map(String))} of the month`);
  if (mon) parts.push(`in ${list(mon.map((x) => MONTHS[x - 1]))}`);
  return parts.join(' ');
}

function cronWords(expr) {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return null;
  const [fm, fh, fdom, fmon, fdow] = f;
  const dom = expand(fdom, 1, 31);
  const mon = expand(fmon, 1, 12, MON_NAMES);
  const dow = expand(fdow, 0, 7, DOW_NAMES);
  const days = dayPart(dom, mon, dow);
  const mstep = stepOf(fm);
  const minutes = expand(fm, 0, 59);
  const hours = expand(fh, 0, 23);
  let when;
  if (fm === '*' && fh === '*') when = 'every minute';
  else if (mstep && fh === '*') when = `every ${mstep} minutes`;
  else if (mstep && hours) when = `every ${mstep} minutes during hour ${list(hours.map(pad))}`;
  else if (minutes && fh === '*') {
    when = minutes.length === 1 && minutes[0] === 0 ? 'hourly' : `hourly at minute ${list(minutes.map(String))}`;
  } else if (minutes && hours && minutes.length * hours.length <= 6) {
    const times = [];
    for (const h of hours) for (const m of minutes) times.push(`${pad(h)}:${pad(m)}`);
    when = `at ${list(times)}`;
    if (!days) return `daily ${when}`;
  } else if (minutes && hours && stepOf(fh)) {
    when = `every ${stepOf(fh)} hours at minute ${list(minutes.map(String))}`;
  } else {
    return null;
  }
  return days ? `${when} ${days}` : when;
}

/**
 * Words for a schedule text and a time zone, or null when there are none
 * better than the text itself.
 */
export function scheduleWords(schedule, tz) {
  if (!schedule) return null;
  const s = schedule.trim();
  const zone = tz ? ` ${tz}` : '';
  try {
    if (s === 'none') return 'manual only (no schedule)';
    if (s === '@hourly') return 'hourly';
    if (s === '@daily') return `daily at 00:00${zone}`;
    if (s === '@weekly') return `weekly on Sunday at 00:00${zone}`;
    if (s === '@monthly') return `monthly on day 1 at 00:00${zone}`;
    if (s === '@yearly' || s === '@annually') return `yearly on January 1 at 00:00${zone}`;
    const ev = /^every\s+(.+)$/.exec(s);
    if (ev) {
      const parts = [...ev[1].matchAll(/(\d+)\s*(ms|s|m|h|d)/g)];
      if (!parts.length) return /^\d+$/.test(ev[1]) ? `every ${ev[1]} seconds` : null;
      return 'every ' + parts.map(([, n, u]) => `${n} ${UNITS[u]}${n === '1' ? '' : 's'}`).join(' ');
    }
    const w = cronWords(s);
    if (!w) return null;
    // minute-level schedules do not depend on the zone
    return /^(every|hourly)/.test(w) && !/ on | in /.test(w) ? w : w + zone;
  } catch {
    return null;
  }
}
