/**
 * Spellings of one request target that a router, a proxy or a browser may take for the same route:
 * percent-encoded letters and slashes, double encoding, empty / `.` / `..` segments, mixed case,
 * `;` parameters, trailing slashes, query forms and the absolute form (`http://host/path`). The
 * access tier sends every one raw (node:http does not normalise a path, fetch would).
 */

const pct = (c: string, upper = false): string => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? hex.toUpperCase() : hex}`;
};

/** The first letter of `segment` percent-encoded (`api` → `%61pi`), or null when it has none. */
function encodeFirstLetter(segment: string, upper = false): string | null {
  const i = segment.search(/[A-Za-z]/);
  return i < 0 ? null : segment.slice(0, i) + pct(segment[i]!, upper) + segment.slice(i + 1);
}

function mixedCase(segment: string): string {
  return [...segment].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** `path` starts with `/` and carries no query; `origin` is `http://host:port` of the server under test. */
export function spellingsOf(path: string, origin: string): string[] {
  const segments = path.split('/').slice(1);
  const join = (s: readonly string[]): string => `/${s.join('/')}`;
  const withSegment = (i: number, value: string): string => join(segments.map((s, j) => (j === i ? value : s)));
  const out = new Set<string>([path]);
  segments.forEach((segment, i) => {
    for (const upper of [false, true]) {
      const encoded = encodeFirstLetter(segment, upper);
      if (encoded) out.add(withSegment(i, encoded));
    }
    const doubled = encodeFirstLetter(segment);
    if (doubled) out.add(withSegment(i, doubled.replace('%', '%25')));
    out.add(withSegment(i, mixedCase(segment)));
    out.add(withSegment(i, segment.toUpperCase()));
    out.add(withSegment(i, `${segment};x=1`));
  });
  out.add(`/${segments.map((s) => [...s].map((c) => pct(c)).join('')).join('/')}`);
  out.add(`/${segments.join('%2F')}`);
  out.add(`/${segments.join('%2f')}`);
  out.add(`/${segments.join('%252F')}`);
  out.add(`/${segments.join('//')}`);
  out.add(`/${segments.join('/./')}`);
  out.add(`/${segments.join('/%2e/')}`);
  out.add(`//${segments.join('/')}`);
  out.add(`/./${segments.join('/')}`);
  out.add(`/x/../${segments.join('/')}`);
  out.add(`/x/%2e%2e/${segments.join('/')}`);
  out.add(`/x/%2E%2E%2F${segments.join('/')}`);
  out.add(`/assets/../${segments.join('/')}`);
  out.add(`${path}/`);
  out.add(`${path}//`);
  out.add(`${path}/.`);
  out.add(`${path};jsessionid=1`);
  out.add(`${path}?`);
  out.add(`${path}?access_token=not-the-token-at-all`);
  out.add(`${path}%3Fx=1`);
  out.add(`${path}%00`);
  out.add(`${origin}${path}`);
  out.add(`${origin.replace('http://', 'HTTP://')}${path}`);
  out.add(`http://elsewhere.example${path}`);
  out.add(`${origin}//${segments.join('/')}`);
  return [...out];
}
