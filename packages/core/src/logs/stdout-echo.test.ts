import { describe, expect, it } from 'vitest';
import { StdoutEcho } from './stdout-echo.js';

const turn = () => new Promise((r) => setImmediate(r));

describe('StdoutEcho', () => {
  it('writes the lines of one turn in order, in one write', async () => {
    const writes: string[] = [];
    const echo = new StdoutEcho((t) => writes.push(t));
    echo.line('a');
    echo.line('b');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['a\nb\n']);
    echo.line('c');
    await turn();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes what is pending when the process exits', () => {
    const writes: string[] = [];
    const echo = new StdoutEcho((t) => writes.push(t));
    const before = process.listenerCount('exit');
    echo.line('last words');
    expect(process.listenerCount('exit')).toBe(before + 1);
    process.emit('exit', 0);
    expect(writes).toEqual(['last words\n']);
    expect(process.listenerCount('exit')).toBe(before);
  });
});
