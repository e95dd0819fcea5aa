// Types of scripts/stale-dirs.mjs for the TypeScript tests.
export function removeDirsOfDeadProcesses(dir: string, pattern: RegExp): void;
