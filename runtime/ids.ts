const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: number[] = [];

function randomDigits(count: number): number[] {
  const bytes = new Uint8Array(count);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte & 31);
}

/**
 * A 26-character id in the ULID layout: 10 characters of milliseconds, 16 of randomness,
 * Crockford base32. Ids made in one process sort in the order they were made, also within
 * one millisecond (the random part is incremented).
 */
export function newId(now: number = Date.now()): string {
  let random: number[];
  if (now <= lastTime) {
    now = lastTime;
    random = lastRandom.slice();
    let i = random.length - 1;
    while (i >= 0 && random[i] === 31) random[i--] = 0;
    if (i < 0) throw new Error('id space for this millisecond is exhausted');
    random[i]!++;
  } else {
    random = randomDigits(16);
  }
  lastTime = now;
  lastRandom = random;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + random.map((digit) => ALPHABET[digit]).join('');
}
