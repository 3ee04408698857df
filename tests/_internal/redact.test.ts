import { describe, expect, it } from 'vitest';
import { redact } from '../../src/_internal/redact.js';

describe('redact', () => {
  it('hides URL credentials, with or without a password', () => {
    expect(redact('postgres://app:s3cret@db.local/app redis://tok3n@cache:6379')).toBe('postgres://***@db.local/app redis://***@cache:6379');
  });

  it('hides secret-looking values and keeps their names', () => {
    expect(redact('--password=a --passwd=b pwd:c API_KEY=d auth-token=e secret:f')).toBe(
      '--password=*** --passwd=*** pwd:*** API_KEY=*** auth-token=*** secret:***',
    );
  });

  it('leaves addresses and plain paths alone', () => {
    expect(redact('socket 127.0.0.1:53122 -> 127.0.0.1:5432')).toBe('socket 127.0.0.1:53122 -> 127.0.0.1:5432');
    expect(redact('fs watcher on /tmp/uploads')).toBe('fs watcher on /tmp/uploads');
  });
});
