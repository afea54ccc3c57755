// @ts-check
// The signed-in user and their token, kept in localStorage across reloads and tabs.

/** @typedef {{ id: string, name: string, username: string }} User */

const TOKEN_KEY = 'meet.token';
const USER_KEY = 'meet.user';

export const session = {
  /** @returns {string | null} */
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  /** @returns {User | null} */
  get user() {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? /** @type {User} */ (JSON.parse(raw)) : null;
  },
  /**
   * @param {string} token
   * @param {User} user
   */
  save(token, user) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
  },
};
