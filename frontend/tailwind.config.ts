import type { Config } from "tailwindcss";

const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./ui/**/*.{ts,tsx}"],
  darkMode: "class",
  theme: {
    extend: {
      fontFamily: {
        // System fonts only (no downloads); DejaVu covers Cyrillic on Debian.
        sans: ["system-ui", "-apple-system", "Segoe UI", "Roboto", "DejaVu Sans", "Arial", "sans-serif"],
        serif: ["Georgia", "DejaVu Serif", "Times New Roman", "serif"],
        mono: ["ui-monospace", "DejaVu Sans Mono", "monospace"],
      },
    },
  },
  plugins: [],
};

export default config;
