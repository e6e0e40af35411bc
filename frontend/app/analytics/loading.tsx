export { default } from "@/ui/route-loading";
