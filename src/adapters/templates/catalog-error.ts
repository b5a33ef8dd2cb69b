/**
 * A catalog that cannot be loaded. This is a start-up error (a deployment mistake), never a delivery
 * failure: it names the file and the problem so the one line an operator sees is enough to fix it.
 */
export class TemplateCatalogError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`Template catalog: ${file}: ${problem}`);
    this.name = 'TemplateCatalogError';
    this.file = file;
  }
}
