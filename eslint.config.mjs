import eslint from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "out/", "coverage/", ".scratch*/"] },
  eslint.configs.recommended,
  ...tseslint.configs.strict,
  prettier,
  {
    // Plain CommonJS files run by Node (Jest config, CI summary).
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Tier code reads keys that validation has already proven present; `!` states that.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
