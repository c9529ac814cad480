package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Backend is one empty database of the backend under test.
type Backend interface {
	// Open opens the database. It is called again after the previous store
	// was closed, and must then see the same data.
	Open(t testing.TB) store.Store
	// OpenKeepingConsoleEntries opens the database as Open does, keeping at most perUser
	// console history entries per user (0: the backend's default).
	OpenKeepingConsoleEntries(t testing.TB, perUser int) store.Store
	// AlterAuditRecord rewrites the stored record seq with fn, underneath
	// the store (as someone with file or SQL access would). It is called
	// while no store from Open is open.
	AlterAuditRecord(t testing.TB, seq int64, fn func(*store.AuditRecord))
	// DeleteAuditRecord removes the stored record seq underneath the store,
	// under the same conditions.
	DeleteAuditRecord(t testing.TB, seq int64)
}

// Run runs the contract against backends made by newBackend, one per test.
func Run(t *testing.T, newBackend func(t *testing.T) Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"AuditAppendAssignsSequenceAndLinksHashes", testAuditAppendChains},
		{"AuditAppendIsAllOrNothing", testAuditAppendAllOrNothing},
		{"AuditRecordRoundTripsExactly", testAuditRoundTrip},
		{"AuditRecordKeepsABoundedPrefixOfLongKeysAndText", testAuditRecordIsBounded},
		{"AuditQueryFilters", testAuditQueryFilters},
		{"AuditQueryByRequestIDFindsEveryRecordOfTheRequest", testAuditQueryByRequestID},
		{"AuditQueryPagesWithCursor", testAuditQueryPages},
		{"AuditQueryByKeyPrefixesKeepsKeysUnderThemAndTheTokensOwn", testAuditQueryByKeyPrefixes},
		{"AuditQueryRejectsBadFilter", testAuditQueryRejectsBadFilter},
		{"AuditVerifyAcceptsIntactChain", testAuditVerifyIntact},
		{"AuditVerifyFindsAlteredRecord", testAuditVerifyAltered},
		{"AuditVerifyFindsAlteredClientRequestID", testAuditVerifyAlteredClientRequestID},
		{"AuditVerifyFindsAlteredCommand", testAuditVerifyAlteredCommand},
		{"AuditVerifyFindsCommandAddedToARecord", testAuditVerifyAddedCommand},
		{"AuditVerifyFindsAlteredAndRehashedRecord", testAuditVerifyRehashed},
		{"AuditVerifyFindsMissingRecord", testAuditVerifyMissing},
		{"AuditVerifyFindsTruncatedTail", testAuditVerifyTruncated},
		{"AuditPruneKeepsChainVerifiableFromAnchor", testAuditPrune},
		{"AuditPruneOfWholeLogContinuesSequence", testAuditPruneAll},
		{"AuditConcurrentAppendsKeepChainIntact", testAuditConcurrent},
		{"AuditWriterGroupCommitsConcurrentAppends", testAuditWriter},
		{"AuditChainSurvivesRestart", testAuditRestart},
		{"CheckpointsListBySeqInAppendOrder", testCheckpointsListBySeqInAppendOrder},
		{"CheckpointRoundTripsExactly", testCheckpointRoundTripsExactly},
		{"CheckpointsRejectBadInput", testCheckpointsRejectBadInput},
		{"AuditPruneRemovesCheckpointsBelowAnchor", testAuditPruneRemovesCheckpointsBelowAnchor},
		{"TokensCreateLookupListRevoke", testTokens},
		{"TokensRejectDuplicatesAndBadInput", testTokensConflicts},
		{"ResultsSaveGetList", testResults},
		{"ResultsRejectBadInput", testResultsBadInput},
		{"BaselinesSetReplaceList", testBaselines},
		{"JobsCreateGetAndIdempotencyKey", testJobsCreateGetIdempotent},
		{"JobsConcurrentCreatesWithOneKeyMakeOneJob", testJobsConcurrentCreateWithOneKey},
		{"JobsCreateJobsSettlesEachJobAsOneAtATime", testJobsCreateJobsSettlesEachJob},
		{"JobsConcurrentBatchesWithKeysInOppositeOrdersDoNotDeadlock", testJobsConcurrentBatchesWithKeysInOppositeOrders},
		{"JobWriterGroupsConcurrentCreatesOneJobPerKey", testJobWriterGroupsConcurrentCreates},
		{"JobWriterRefusesAfterCloseAndPassesOnStoreClosed", testJobWriterClosed},
		{"JobsListFiltersAndPages", testJobsList},
		{"JobsFencingRefusesStaleWorker", testJobsFencing},
		{"JobsConcurrentClaimsGetDistinctTokensAndOneFinishWins", testJobsConcurrentClaims},
		{"JobsConcurrentFinishesWithOneTokenOneWins", testJobsConcurrentFinishes},
		{"JobsReleaseAndCancel", testJobsReleaseAndCancel},
		{"SchedulesCreateGetAndNameUniquePerCluster", testSchedulesCreateGet},
		{"SchedulesListFiltersAndPages", testSchedulesList},
		{"SchedulesPauseResumeAndDelete", testSchedulesPauseResumeDelete},
		{"SchedulesAdvanceOnlyForward", testSchedulesAdvanceOnlyForward},
		{"SchedulesConcurrentAdvancesOfOneSlotAdvanceOnce", testSchedulesConcurrentAdvance},
		{"ConsoleHistoryIsPrivateToItsUserNewestFirst", testConsoleHistoryPrivateNewestFirst},
		{"ConsoleHistoryPagesWithCursor", testConsoleHistoryPages},
		{"ConsoleHistoryFiltersByClusterAndText", testConsoleHistoryFilters},
		{"ConsoleHistoryRejectsBadInput", testConsoleHistoryBadInput},
		{"ConsoleHistoryKeepsTheNewestEntriesPerUser", testConsoleHistoryRetention},
		{"ConsoleHistoryConcurrentAppendsKeepTheBound", testConsoleHistoryConcurrentAppendsKeepTheBound},
		{"ConsoleHistoryClearRemovesOnlyTheUsersEntries", testConsoleHistoryClear},
		{"ConsoleSettingsRoundTrip", testConsoleSettings},
		{"BackupEventsRoundTripNewestFirst", testBackupEventsRoundTripNewestFirst},
		{"BackupEventsRejectBadInput", testBackupEventsRejectBadInput},
		{"ClosedStoreReturnsErrClosed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newBackend(t))
		})
	}
}

// open opens b and closes the store at cleanup.
func open(t testing.TB, b Backend) store.Store {
	t.Helper()
	st := b.Open(t)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}
