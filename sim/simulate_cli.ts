/** Placeholder until this command lands (work in progress on a branch). */
export async function main(_argv: string[]): Promise<number> {
  console.error('cadre: this command is not built yet');
  return 1;
}
