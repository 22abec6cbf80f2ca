package deploymentset

import (
	"net/http"

	"github.com/ecsd/ecsd/internal/api/apierr"
)

// The guide's errors of the deployment-set actions (1.6.1–1.6.5), codes,
// statuses and messages to the letter; where two actions word one code
// differently, each keeps its own words.

// ErrNotFound is the answer for a DeploymentSetId the caller has no set of in
// the region (1.6.3, 1.6.5; every *.NotFound is 404).
func ErrNotFound() *apierr.Error {
	return apierr.NotFound("InvalidDeploymentSetId.NotFound", "The DeploymentSetId provided does not exist in our records.")
}

// errIDMissing is MissingParameter for DeploymentSetId, worded as 1.6.2 words it.
func errIDMissing() *apierr.Error {
	return apierr.BadRequest("MissingParameter",
		"The input parameter DeploymentSetId that is mandatory for processing this request is not supplied.")
}

func errHasInstances() *apierr.Error {
	return apierr.Forbidden("DependencyViolation.NotFound", "There are still instance(s) in the specified DeploymentSetId.")
}

func errZoneNotFound() *apierr.Error {
	return apierr.NotFound("InvalidZoneId.NotFound", "The ZoneId provided does not exist in our records.")
}

// errNameMalformed is the guide's only code for a bad DeploymentSetName (1.6.3,
// misspelt as the guide spells it); CreateDeploymentSet lists none and uses it too.
func errNameMalformed() *apierr.Error {
	return apierr.BadRequest("InvalidPlacmentSetName.Malformed", "Specified plament set name is not valid.")
}

// errDescriptionMalformed: CreateDeploymentSet quotes the parameter's name,
// ModifyDeploymentSetAttribute does not.
func errDescriptionMalformed(create bool) *apierr.Error {
	if create {
		return apierr.BadRequest("InvalidDescription.Malformed", `The specified parameter "Description" is not valid.`)
	}
	return apierr.BadRequest("InvalidDescription.Malformed", "The specified parameter Description is not valid.")
}

func errDomain() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Domain", "The specified parameter Domain is not valid.")
}

func errGranularity() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.granularity", "The specified parameter Granularity is not valid.")
}

func errStrategy() *apierr.Error {
	return apierr.BadRequest("InvalidParameter.Strategy", "The specified parameter Strategy is not valid")
}

func errDomainGranularity() *apierr.Error {
	return apierr.BadRequest("DependencyViolation.domain.granularity", "The DeploymentSet domain and granularity is violation.")
}

func errStrategyGranularity() *apierr.Error {
	return apierr.BadRequest("DependencyViolation.strategy.granularity", "The DeploymentSet strategy and granularity is violation.")
}

func errQuotaFull() *apierr.Error {
	return apierr.New("DEPLOYMENTSET.QUOTA_FULL", http.StatusBadRequest, "The deploymentSet quota is full")
}

func errIDsMalformed() *apierr.Error { return apierr.InvalidParameter("DeploymentSetIds") }
