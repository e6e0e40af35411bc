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

  it("opens and closes the sections as a menu on a narrow screen", async () => {
    render(<Nav />);
    const menu = screen.getByRole("button", { name: "Меню" });
    expect(menu).toHaveAttribute("aria-expanded", "false");
    await userEvent.click(menu);
    expect(screen.getByRole("button", { name: "Закрыть" })).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByRole("link", { name: "Чат агентов" })).toBeVisible();
    expect(screen.getByTestId("sign-in-link")).toHaveAttribute("href", "/signin?next=%2F");
  });
});
