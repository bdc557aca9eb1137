import { describe, expect, it } from 'vitest';
import { errorLine, oneLineError } from './run-program.js';

describe('errorLine', () => {
  it('says Error: once, whatever lead-in the message had', () => {
    expect(errorLine('Failed: a checkpoint with this name already exists.')).toBe('Error: a checkpoint with this name already exists.');
    expect(errorLine('Error: Failed: x')).toBe('Error: x');
    expect(errorLine('failed:x')).toBe('Error: x');
    expect(errorLine('Failed to restore PoE')).toBe('Error: Failed to restore PoE');
    expect(oneLineError("error: unknown command 'x'")).toBe("Error: unknown command 'x'");
  });
});
