export {
  PARAMETERS_SERVICE,
  parametersServicePlugin,
  parametersServiceProvider,
} from './parameters-service-plugin';
