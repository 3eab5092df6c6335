import { describe, expect, it } from 'vitest';
import { excludeRule, ignoreFileRules, isExcluded, vcsRules } from '../src-main/backup/exclude-rules.js';

describe('backup exclude rules', () => {
  it('a pattern without "/" matches a name at any depth', () => {
    const rules = [excludeRule('*.tmp')];
    expect(isExcluded(rules, 'a.tmp', false)).toBe(true);
    expect(isExcluded(rules, 'deep/down/b.tmp', false)).toBe(true);
    expect(isExcluded(rules, 'a.tmp.keep', false)).toBe(false);
    expect(isExcluded(rules, 'tmp', false)).toBe(false);
  });

  it('a pattern with "/" matches the path from the root; "**" crosses folders; a trailing "/" means folders only', () => {
    expect(isExcluded([excludeRule('build/*.o')], 'build/main.o', false)).toBe(true);
    expect(isExcluded([excludeRule('build/*.o')], 'src/build/main.o', false)).toBe(false);
    expect(isExcluded([excludeRule('/top.txt')], 'top.txt', false)).toBe(true);
    expect(isExcluded([excludeRule('/top.txt')], 'a/top.txt', false)).toBe(false);
    expect(isExcluded([excludeRule('**/cache/**')], 'a/b/cache/x/y', false)).toBe(true);
    expect(isExcluded([excludeRule('**/cache/**')], 'cache/x', false)).toBe(true);
    expect(isExcluded([excludeRule('out/')], 'out', true)).toBe(true);
    expect(isExcluded([excludeRule('out/')], 'out', false)).toBe(false);
  });

  it('"?" and character sets match one character, never "/"', () => {
    expect(isExcluded([excludeRule('file?.txt')], 'file1.txt', false)).toBe(true);
    expect(isExcluded([excludeRule('file?.txt')], 'file12.txt', false)).toBe(false);
    expect(isExcluded([excludeRule('a?b')], 'x/a/b', false)).toBe(false);
    expect(isExcluded([excludeRule('[ab]*.log')], 'b1.log', false)).toBe(true);
    expect(isExcluded([excludeRule('[!ab]*.log')], 'b1.log', false)).toBe(false);
    expect(isExcluded([excludeRule('[!ab]*.log')], 'c1.log', false)).toBe(true);
    expect(isExcluded([excludeRule('a.b')], 'axb', false)).toBe(false); // "." is literal
  });

  it('.cairnignore rules apply below their own folder; comments, blank lines and "!" lines are ignored', () => {
    const rules = ignoreFileRules('# comment\n\n*.bak\n!keep.bak\n/only-here\nsub/dir/\n', 'project');
    expect(rules).toHaveLength(3);
    expect(isExcluded(rules, 'project/x.bak', false)).toBe(true);
    expect(isExcluded(rules, 'project/deep/x.bak', false)).toBe(true); // a bare name matches at any depth below
    expect(isExcluded(rules, 'elsewhere/x.bak', false)).toBe(false);
    expect(isExcluded(rules, 'project/only-here', false)).toBe(true);
    expect(isExcluded(rules, 'only-here', false)).toBe(false);
    expect(isExcluded(rules, 'project/a/only-here', false)).toBe(false);
    expect(isExcluded(rules, 'project/sub/dir', true)).toBe(true);
  });

  it('--exclude-vcs leaves out version-control folders', () => {
    for (const name of ['.git', '.hg', '.svn', '.bzr', '_darcs', 'CVS']) expect(isExcluded(vcsRules(), `a/${name}`, true), name).toBe(true);
    expect(isExcluded(vcsRules(), 'a/.github', true)).toBe(false);
  });

  it('an empty pattern is refused', () => {
    expect(() => excludeRule('/')).toThrow(/matches nothing/);
  });
});
