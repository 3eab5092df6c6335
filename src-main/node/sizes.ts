/** Parses a human size: "0", "1500", "500K", "20M", "1G", "1.5GiB", "2TB" (K/M/G/T are powers of 1000; KiB… powers of 1024). */
export function parseSize(text: string): number {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(i?)(b?)\s*$/i.exec(text);
  if (match === null) throw new RangeError(`"${text}" is not a size (examples: 0, 500M, 1G, 20GiB)`);
  const [, number, unit = '', binary = '', b = ''] = match;
  if (binary !== '' && unit === '') throw new RangeError(`"${text}" is not a size (examples: 0, 500M, 1G, 20GiB)`);
  if (b !== '' && unit === '' && binary === '') throw new RangeError(`"${text}" is not a size (examples: 0, 500M, 1G, 20GiB)`);
  const power = ['', 'k', 'm', 'g', 't'].indexOf(unit.toLowerCase());
  const value = Number(number) * (binary !== '' ? 1024 : 1000) ** power;
  if (!Number.isSafeInteger(Math.round(value))) throw new RangeError(`size "${text}" is too large`);
  return Math.round(value);
}

export function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
