// Which paths a backup leaves out: --exclude glob patterns, .cairnignore files (a subset of
// .gitignore) and, with --exclude-vcs, version-control folders.
//
// Pattern syntax (both places):
//   *      any run of characters except "/"       ?     one character except "/"
//   **     any run of characters, "/" included    [abc] [a-z] [!abc]  one character of a set
//   a pattern without "/" matches a name at any depth; one with "/" matches the path from
//   the backup's root (--exclude) or from the .cairnignore's folder; a leading "/" only anchors;
//   a trailing "/" matches folders only.
// In .cairnignore, blank lines and lines starting with "#" are ignored; "!" (re-include) is
// not supported and such lines are ignored.

export const VCS_NAMES: readonly string[] = ['.git', '.hg', '.svn', '.bzr', '_darcs', 'CVS', '.fslckout', '.pijul'];

export const IGNORE_FILE = '.cairnignore';

export interface ExcludeRule {
  readonly regex: RegExp;
  /** match against the path relative to this folder ("" for the root) */
  readonly base: string;
  /** true: match the last name only; false: the relative path */
  readonly nameOnly: boolean;
  readonly directoriesOnly: boolean;
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // "**/" matches zero or more folders
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out += '\\[';
      else {
        let set = glob.slice(i + 1, close);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        out += `[${set.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'u');
}

/** One pattern as a rule; `base` is the folder it applies below. Throws RangeError for an empty pattern. */
export function excludeRule(pattern: string, base = ''): ExcludeRule {
  let text = pattern;
  const directoriesOnly = text.endsWith('/');
  if (directoriesOnly) text = text.replace(/\/+$/, '');
  const anchored = text.startsWith('/');
  if (anchored) text = text.replace(/^\/+/, '');
  if (text === '') throw new RangeError(`exclude pattern ${JSON.stringify(pattern)} matches nothing`);
  return { regex: globToRegex(text), base, nameOnly: !anchored && !text.includes('/'), directoriesOnly };
}

/** The rules of a .cairnignore file found in the folder `base`. */
export function ignoreFileRules(text: string, base: string): ExcludeRule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+$/, ''))
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'))
    .map((line) => excludeRule(line, base));
}

/** Whether the entry at relative path `path` ("a/b/c") is left out by any rule. */
export function isExcluded(rules: readonly ExcludeRule[], path: string, isDirectory: boolean): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return rules.some((rule) => {
    if (rule.directoriesOnly && !isDirectory) return false;
    if (rule.base !== '' && !path.startsWith(`${rule.base}/`)) return false;
    if (rule.nameOnly) return rule.regex.test(name);
    return rule.regex.test(rule.base === '' ? path : path.slice(rule.base.length + 1));
  });
}

export function vcsRules(): ExcludeRule[] {
  return VCS_NAMES.map((name) => excludeRule(name));
}
