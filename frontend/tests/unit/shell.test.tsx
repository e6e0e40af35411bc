import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { Nav } from "@/ui/shell/nav";

describe("Nav", () => {
  it("links every screen and switches the theme, remembering the choice", async () => {
    document.documentElement.classList.remove("dark");
    render(<Nav />);
    for (const name of ["Новый документ", "Документ", "Правки", "Чат агентов", "Аналитика", "История", "Кластер"])
      expect(screen.getByRole("link", { name })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Новый документ" })).toHaveAttribute("aria-current", "page");
    await userEvent.click(screen.getByRole("button", { name: "Тёмная тема" }));
    expect(document.documentElement).toHaveClass("dark");
    expect(localStorage.getItem("chorus-theme")).toBe("dark");
    await userEvent.click(screen.getByRole("button", { name: "Светлая тема" }));
    expect(document.documentElement).not.toHaveClass("dark");
    expect(localStorage.getItem("chorus-theme")).toBe("light");
  });
});
