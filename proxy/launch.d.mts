export declare const PROXY_BUNDLE: string;
export declare function proxyRuntime(): { execArgv: string[]; env: Record<string, string> };
export declare function proxyArgs(args: readonly string[]): string[];
export declare function buildProxyIfStale(node: string, log?: (message: string) => void): void;
