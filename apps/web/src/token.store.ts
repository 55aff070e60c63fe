/**
 * The API token (KTRDR_API_TOKEN) as the user typed it. localStorage, so the page asks
 * once per browser rather than once per tab; cleared when the API rejects it.
 */
const KEY = 'ktrdr.apiToken';

export function readToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled (private mode policies): the page then asks each time
  }
}

export function saveToken(token: string): void {
  try {
    localStorage.setItem(KEY, token);
  } catch {
    /* see readToken */
  }
}

export function clearToken(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* see readToken */
  }
}
