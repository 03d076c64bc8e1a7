/** asl-validator (no type declarations) behind a typed helper. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (def: unknown) => {
  isValid: boolean;
  errorsText: (sep?: string) => string;
};

/** Asserts asl-validator accepts a definition, showing its errors otherwise. */
export function expectValid(def: unknown): void {
  const { isValid, errorsText } = aslValidator(def);
  expect(isValid ? '' : errorsText('\n')).toBe('');
}
