import { describe, expect, it } from 'vitest';
import { parseTagList } from '../../src/parse/tag-list.ts';

describe('parseTagList (RFC 6376 3.2)', () => {
  it.each([
    { text: 'a=1; b = two words ;c=', tags: [{ name: 'a', value: '1' }, { name: 'b', value: 'two words' }, { name: 'c', value: '' }], problems: [] },
    { text: 'p=abc==;', tags: [{ name: 'p', value: 'abc==' }], problems: [] },            // "=" inside a value; trailing ";"
    { text: 'a=1;;b=2', tags: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }], problems: [] },
    { text: 'a=1; junk', tags: [{ name: 'a', value: '1' }], problems: ['"junk" is not a tag=value pair'] },
    { text: '1a=1', tags: [], problems: ['"1a" is not a valid tag name'] },
    { text: 'a=1; a=2', tags: [{ name: 'a', value: '1' }], problems: ['tag "a" appears more than once'] },
    { text: '', tags: [], problems: [] },
  ])('$text', ({ text, tags, problems }) => {
    expect(parseTagList(text)).toEqual({ tags, problems });
  });

  it('compares names case-sensitively unless asked not to', () => {
    expect(parseTagList('A=1; a=2').problems).toEqual([]);
    expect(parseTagList('A=1; a=2', { caseInsensitiveNames: true }).problems).toEqual(['tag "a" appears more than once']);
  });
});
