import { registrationService, type RegistrationService } from '../services/registration/registration-service';
import { registrationDependencies, registrationSteps } from './registration-steps';

/** Default wiring of the registration resources (brands, campaigns, numbers) for their handlers. */
let service: RegistrationService | undefined;
export function registrations(): RegistrationService {
  return (service ??= registrationService({ ...registrationDependencies(), steps: registrationSteps() }));
}
