/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm run check` runs tsc and eslint before `next build`; doing it twice costs a minute on
  // a two-core machine.
  typescript: { ignoreBuildErrors: true },
  eslint: { ignoreDuringBuilds: true },
  // The Docker image (deploy/docker/dashboard.Dockerfile) ships only what the server needs:
  // `.next/standalone` holds server.js and the traced node_modules. `./chorus up` keeps
  // `next start` on the ordinary build.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
};

export default nextConfig;
