"use client";

export { default } from "@/ui/route-error";
