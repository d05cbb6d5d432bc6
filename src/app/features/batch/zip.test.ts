import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { zipFiles } from './zip';

describe('zipFiles', () => {
  it('round-trips files and de-duplicates their names', () => {
    const zip = zipFiles([
      { name: 'a.restored.png', bytes: new Uint8Array([1, 2, 3]) },
      { name: 'a.restored.png', bytes: new Uint8Array([4]) },
    ]);
    const back = unzipSync(zip);
    expect(Object.keys(back)).toEqual(['a.restored.png', 'a.restored-2.png']);
    expect([...back['a.restored-2.png']]).toEqual([4]);
  });
});
