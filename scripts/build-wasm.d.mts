export declare const watPath: string;
export declare const outputPath: string;
export interface KernelBuild {
  readonly shared?: boolean;
  readonly relaxed?: boolean;
}
export declare function assembleKernel(build?: KernelBuild): Promise<Uint8Array>;
export declare const kernelBuilds: Readonly<Record<
  'kernelWasmBase64' | 'sharedKernelWasmBase64' | 'relaxedKernelWasmBase64' | 'relaxedSharedKernelWasmBase64',
  Required<KernelBuild>
>>;
export declare function kernelModuleSource(binaries: Readonly<Record<string, Uint8Array>>): string;
