/** `cadre hash-password [PASSWORD]`: prints a passwordHash for access.yaml (reads stdin without an argument). */
import { hashPassword } from '../shared/passwords.js';

export async function main(argv: string[]): Promise<number> {
  const password = argv[0] ?? (await readStdin()).replace(/\r?\n$/, '');
  if (!password) {
    console.error('cadre hash-password: empty password');
    return 2;
  }
  console.log(await hashPassword(password));
  return 0;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
