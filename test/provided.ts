/** Values the e2e global setup provides to test files (vitest's provide/inject). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** a real pcscd with the vpcd readers is running */
    pcscd: boolean;
  }
}
export {};
