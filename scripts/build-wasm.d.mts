export declare const watPath: string;
export declare const outputPath: string;
export declare function assembleKernel(shared?: boolean): Promise<Uint8Array>;
export declare function kernelModuleSource(bytes: Uint8Array, sharedBytes: Uint8Array): string;
