export const EXIT_OK = 0;
/** Invalid input or configuration. */
export const EXIT_INVALID = 1;
/** Bad command-line usage. */
export const EXIT_USAGE = 2;
