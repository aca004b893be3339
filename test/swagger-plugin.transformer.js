// Runs the @nestjs/swagger CLI plugin under ts-jest with the options in nest-cli.json, so the tests see the
// same OpenAPI metadata as the built app.
const { before } = require('@nestjs/swagger/plugin');
const nestCli = require('../nest-cli.json');

const { options } = nestCli.compilerOptions.plugins.find((plugin) => plugin.name === '@nestjs/swagger');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) => before(options, compiler.program);
