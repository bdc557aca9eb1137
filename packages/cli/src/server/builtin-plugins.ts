/** The plugins shipped with WalT. They load first and fail fast: a broken built-in stops the server. */
export const BUILTIN_PLUGINS: readonly string[] = [];
