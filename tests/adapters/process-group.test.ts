import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { groupAlive, groupExists, signalGroup } from '../../src/adapters/process-group.js';

const posix = process.platform !== 'win32';

describe('groupExists', () => {
  it.runIf(posix)('tells a child that leads a group from one that does not', async () => {
    const leader = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const member = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      expect(groupExists(leader.pid!)).toBe(true);
      expect(groupExists(member.pid!)).toBe(false);
      expect(groupExists(0)).toBe(false);
      expect(groupExists(1)).toBe(false);
    } finally {
      leader.kill('SIGKILL');
      member.kill('SIGKILL');
      await Promise.all([once(leader, 'exit'), once(member, 'exit')]);
    }
  });
});

describe('groupAlive', () => {
  it.runIf(posix)('is true while a member runs and false once the group is gone', async () => {
    const leader = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    expect(groupAlive(leader.pid!)).toBe(true);
    expect(signalGroup(leader.pid!, 'SIGKILL')).toBe(true);
    await once(leader, 'exit');
    expect(groupAlive(leader.pid!)).toBe(false);
    expect(signalGroup(leader.pid!, 'SIGKILL')).toBe(false);
  });
});
