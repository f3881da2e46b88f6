import { defineConfig } from "vite";

// The JSX runtime comes from tsconfig.json (jsxImportSource: preact); no plugin is needed.
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
