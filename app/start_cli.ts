/** Placeholder: `cadre start` and the role commands are wired in app/ as the roles land. */
export async function main(_argv: string[]): Promise<number> {
  console.error('cadre: start is not built yet');
  return 1;
}

export function roleMain(_role: 'ingest' | 'processor' | 'gateway') {
  return main;
}
