import { describe, expect, it } from 'vitest';
import { splitStatements } from './sql-statements.js';

describe('splitStatements', () => {
  it('splits at semicolons outside quotes and comments, and keeps the unfinished rest', () => {
    expect(splitStatements("select ';' as a; select 2 -- x;\n; select 3")).toEqual({ statements: ["select ';' as a", 'select 2 -- x;'], rest: ' select 3' });
    expect(splitStatements('select /* ; */ 1;')).toEqual({ statements: ['select /* ; */ 1'], rest: '' });
    expect(splitStatements('select "a;b" from [x;y];;')).toEqual({ statements: ['select "a;b" from [x;y]'], rest: '' });
  });
});
