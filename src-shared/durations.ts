// Durations in config files: a number of seconds, or text such as "90s", "12 hours", "60 days".

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86_400,
  day: 86_400,
  w: 7 * 86_400,
  week: 7 * 86_400,
  // Tahoe's expire.override_lease_duration counts a month as 31 days and a year as 365.
  month: 31 * 86_400,
  y: 365 * 86_400,
  year: 365 * 86_400,
};

const EXAMPLES = 'examples: 3600, "90s", "12 hours", "60 days"';

/** Parses a duration to seconds: a number of seconds, or text such as "90s", "12 hours", "60 days". */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${value} is not a duration (${EXAMPLES})`);
    return value;
  }
  if (typeof value !== 'string') throw new RangeError(`${JSON.stringify(value)} is not a duration (${EXAMPLES})`);
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  const perUnit = match === null ? undefined : secondsPerUnit(match[2]!.toLowerCase());
  if (match === null || perUnit === undefined) throw new RangeError(`"${value}" is not a duration (${EXAMPLES})`);
  return Number(match[1]) * perUnit;
}

/** "" is seconds; a plural ("days", "mins") is its singular; "ms" is not minutes. */
function secondsPerUnit(unit: string): number | undefined {
  if (unit === '') return 1;
  const singular = unit.length > 2 && unit.endsWith('s') && !(unit in SECONDS_PER_UNIT) ? unit.slice(0, -1) : unit;
  return SECONDS_PER_UNIT[singular];
}
