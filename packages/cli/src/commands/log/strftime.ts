/**
 * strftime as Python's datetime.strftime does it on Linux (C locale), on local time, with the µs
 * precision of WalT timestamps: %f (microseconds) and %s (POSIX seconds) included. An unknown
 * directive is kept as is, as glibc does.
 */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width = 2, fill = '0') => String(n).padStart(width, fill);

/** A timestamp in µs since the epoch, split for formatting. */
export interface MicroTime {
  date: Date;
  micros: number;
  seconds: number;
}

export function microTime(tsMicros: number): MicroTime {
  const seconds = Math.floor(tsMicros / 1_000_000);
  const micros = tsMicros - seconds * 1_000_000;
  return { date: new Date(seconds * 1000 + Math.floor(micros / 1000)), micros, seconds };
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86_400_000) + 1;
}

function tzOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
}

function tzName(d: Date): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

function directive(c: string, t: MicroTime): string | undefined {
  const d = t.date;
  const h12 = d.getHours() % 12 || 12;
  switch (c) {
    case 'a': return DAYS[d.getDay()].slice(0, 3);
    case 'A': return DAYS[d.getDay()];
    case 'b': case 'h': return MONTHS[d.getMonth()].slice(0, 3);
    case 'B': return MONTHS[d.getMonth()];
    case 'c': return `${DAYS[d.getDay()].slice(0, 3)} ${MONTHS[d.getMonth()].slice(0, 3)} ${pad(d.getDate(), 2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
    case 'C': return pad(Math.floor(d.getFullYear() / 100));
    case 'd': return pad(d.getDate());
    case 'D': return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
    case 'e': return pad(d.getDate(), 2, ' ');
    case 'f': return pad(t.micros, 6);
    case 'F': return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    case 'H': return pad(d.getHours());
    case 'I': return pad(h12);
    case 'j': return pad(dayOfYear(d), 3);
    case 'k': return pad(d.getHours(), 2, ' ');
    case 'l': return pad(h12, 2, ' ');
    case 'm': return pad(d.getMonth() + 1);
    case 'M': return pad(d.getMinutes());
    case 'n': return '\n';
    case 'p': return d.getHours() < 12 ? 'AM' : 'PM';
    case 'R': return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    case 's': return String(t.seconds);
    case 'S': return pad(d.getSeconds());
    case 't': return '\t';
    case 'T': case 'X': return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    case 'u': return String(d.getDay() || 7);
    case 'w': return String(d.getDay());
    case 'x': return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
    case 'y': return pad(d.getFullYear() % 100);
    case 'Y': return String(d.getFullYear());
    case 'z': return tzOffset(d);
    case 'Z': return tzName(d);
    case '%': return '%';
    default: return undefined;
  }
}

export function strftime(format: string, t: MicroTime): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%' || i === format.length - 1) {
      out += c;
      continue;
    }
    const v = directive(format[i + 1], t);
    out += v ?? `%${format[i + 1]}`;
    i++;
  }
  return out;
}

/** Python's str(datetime): `YYYY-MM-DD HH:MM:SS.ffffff` (no fraction when it is zero). */
export function pythonDatetime(tsMicros: number): string {
  const t = microTime(tsMicros);
  return strftime(t.micros ? '%Y-%m-%d %H:%M:%S.%f' : '%Y-%m-%d %H:%M:%S', t);
}
