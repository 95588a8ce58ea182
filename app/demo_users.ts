/**
 * The shipped demo's dispatcher and admin: generated on first start, their scrypt hashes kept in
 * CADRE_DATA/demo-users.json (read as extra users of access.yaml), their passwords in
 * CADRE_DATA/demo-credentials.txt (mode 0600) so `npm start` can print them every time. No password
 * is ever committed to the repository.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, randomSecret } from '../shared/passwords.js';

export interface DemoUser {
  name: string;
  passwordHash: string;
  role: 'dispatcher' | 'admin';
  cities?: string[];
}

export interface DemoCredentials {
  users: DemoUser[];
  /** name → password, for printing. */
  passwords: Record<string, string>;
}

export async function ensureDemoUsers(dataDir: string, dispatcherCities: string[]): Promise<DemoCredentials> {
  const usersFile = join(dataDir, 'demo-users.json');
  const passwordsFile = join(dataDir, 'demo-credentials.txt');
  if (existsSync(usersFile) && existsSync(passwordsFile)) {
    const passwords = Object.fromEntries(
      readFileSync(passwordsFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes(' '))
        .map((line) => line.split(' ', 2) as [string, string]),
    );
    return { users: JSON.parse(readFileSync(usersFile, 'utf8')) as DemoUser[], passwords };
  }
  mkdirSync(dataDir, { recursive: true });
  const passwords = { dispatcher: randomSecret(9), admin: randomSecret(12) };
  const users: DemoUser[] = [
    {
      name: 'dispatcher',
      passwordHash: await hashPassword(passwords.dispatcher),
      role: 'dispatcher',
      cities: dispatcherCities,
    },
    { name: 'admin', passwordHash: await hashPassword(passwords.admin), role: 'admin' },
  ];
  writeFileSync(
    passwordsFile,
    Object.entries(passwords)
      .map(([n, p]) => `${n} ${p}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  writeFileSync(usersFile, JSON.stringify(users, null, 2) + '\n', { mode: 0o600 });
  return { users, passwords };
}
