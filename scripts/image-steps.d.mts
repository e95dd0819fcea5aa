// Types of scripts/image-steps.mjs for the tests that import it.
export interface Instruction {
  op: string;
  rest: string;
  mark?: { kind: string; args: string[] };
}
export interface Stage {
  from: string;
  steps: Instruction[];
}
export function parseDockerfile(text: string): Stage[];
export function parseEnv(rest: string): Record<string, string>;
export function execForm(rest: string): string[];
export function imageSteps(opts?: { keep?: boolean }): Promise<void>;
