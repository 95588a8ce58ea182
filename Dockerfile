# cadre: one image for every role (`cadre start`, or `cadre ingest|processor|gateway`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 CADRE_CONFIG=/app/config CADRE_DATA=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
COPY --from=build /app/config ./config
COPY package.json ./
VOLUME /data
EXPOSE 3000
ENTRYPOINT ["node", "dist/bin/cadre.js"]
CMD ["start"]
