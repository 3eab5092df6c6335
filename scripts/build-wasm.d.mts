export declare const watPath: string;
export declare const outputPath: string;
export declare function assembleKernel(): Promise<Uint8Array>;
export declare function kernelModuleSource(bytes: Uint8Array): string;
