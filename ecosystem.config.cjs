// PM2 process file, for hosts that run the app without a container:
//   npm ci && npm run build && pm2 start ecosystem.config.cjs --env production
// Several instances need REDIS_URL (shared rooms) and a proxy with sticky sessions.
module.exports = {
  apps: [
    {
      name: 'meet-backend',
      script: 'dist/main.js',
      exec_mode: 'fork',
      instances: 1,
      // The app exits 0 within 10 s of SIGTERM/SIGINT.
      kill_timeout: 12000,
      env_production: { NODE_ENV: 'production' },
    },
  ],
};
